// The Flex Consumption plan (FC1, Linux) the function app runs on.
param name string
param location string = resourceGroup().location
param tags object = {}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    // Linux: Flex Consumption has no Windows variant.
    reserved: true
  }
}

output id string = plan.id
output name string = plan.name
