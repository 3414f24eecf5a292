// The relay flow: a Logic App (Consumption) whose Request trigger takes the app's card envelope plus
// `relay` and answers with the Teams message id (relay-flow.json is its definition), the Microsoft
// Teams API connection it posts through as Flow bot, and its callback URL stored in Key Vault as the
// relay alias's webhook secret. The URL carries `sig=`, so it is never an output (deployment history
// keeps outputs): docs/teams-facts.md#relay-flow.
param name string
param location string = resourceGroup().location
param tags object = {}

@description('Team (Microsoft 365 group id) of the channel the flow posts in.')
@minLength(1)
param teamId string

@description('Channel id the flow posts in, 19:...@thread.tacv2. Flow bot cannot post in private channels.')
@minLength(1)
param channelId string

param keyVaultName string

@description('Key Vault secret of the relay alias (teams-webhook-<alias>), read by the app as TEAMS_WEBHOOK_<ALIAS>.')
param webhookSecretName string

// The trigger the callback URL belongs to: the definition's only trigger.
var triggerName = 'manual'
var definition = loadJsonContent('./relay-flow.json')

// OAuth only, tied to the account that authorizes it once in the portal after deployment; the Teams
// connector has no managed identity (docs/teams-facts.md#relay-flow).
resource teamsConnection 'Microsoft.Web/connections@2016-06-01' = {
  name: '${name}-teams'
  location: location
  tags: tags
  properties: {
    displayName: 'teams-relay flow: Microsoft Teams'
    api: {
      id: subscriptionResourceId('Microsoft.Web/locations/managedApis', location, 'teams')
    }
  }
}

resource workflow 'Microsoft.Logic/workflows@2019-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    state: 'Enabled'
    definition: definition
    parameters: {
      '$connections': {
        value: {
          teams: {
            id: subscriptionResourceId('Microsoft.Web/locations/managedApis', location, 'teams')
            connectionId: teamsConnection.id
            connectionName: teamsConnection.name
          }
        }
      }
      teamId: {
        value: teamId
      }
      channelId: {
        value: channelId
      }
    }
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource callbackUrlSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: webhookSecretName
  properties: {
    value: listCallbackUrl('${workflow.id}/triggers/${triggerName}', '2019-05-01').value
    contentType: 'Logic App callback URL (carries sig=)'
  }
}

output workflowName string = workflow.name
output teamsConnectionName string = teamsConnection.name
