// The Application Insights workbook "teams-relay": charts from the app's structured traces (workbook.json).
param applicationInsightsName string
param location string = resourceGroup().location
param tags object = {}

@description('The name the portal shows.')
param displayName string = 'teams-relay'

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name must be a GUID; derived from the component, so a new deployment updates the same workbook.
  name: guid(applicationInsights.id, 'teams-relay-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    // Linked to the component: listed under its Workbooks, and its queries run against it.
    sourceId: applicationInsights.id
    serializedData: string(union(json(loadTextContent('workbook.json')), {
      fallbackResourceIds: [applicationInsights.id]
    }))
  }
}

output id string = workbook.id
