// The function app on Flex Consumption and its app settings: the one place every setting of the
// deployed app is written (a whole-collection PUT, so a setting added by hand elsewhere is removed
// by the next deployment).
param name string
param location string = resourceGroup().location
param tags object = {}

param appServicePlanId string
param storageAccountName string
param deploymentStorageContainerName string
param identityName string
param applicationInsightsName string
param keyVaultName string

@allowed(['20', '22'])
param nodeVersion string
param maximumInstanceCount int
param instanceMemoryMB int

param outgoingWebhookSecretsSecretName string
param githubWebhookSecretSecretName string
@description('Key Vault secret name by lower-case alias; one TEAMS_WEBHOOK_<ALIAS> setting each.')
param webhookSecretNames object

@description('Teams connection name by alias; one TEAMS_CONNECTION_<ALIAS> setting each.')
param teamsConnections object

// The app's own settings; their defaults live in main.bicep only.
param limitsConnector string
param limitsWorkflows string
param limitsWorkflowsConnection string
@description('Mention scope (aliases or *) by token name; one TEAMS_MENTION_SCOPE_<NAME> setting each.')
param mentionScopes object
param mentionMaxAgeSeconds int
param allowUrlTargets string
param allowedWebhookHosts string
@description('GitHub login to Teams user (UPN or Entra object id): login:upn,...')
param githubMentionMap string
param notificationsQueue string
param mentionReplyBudgetMs int
param deliveryTimeoutMs int
param retryMaxAgeSeconds int
param rateLimitGuardMs int
param deliveryLeaseSeconds int
param sweepSchedule string
param cardTemplatesDir string
param digestAfterSeconds int
param orderSettleMs int
param routesAlerts string
param relayFlowAliases string
param relayKeyRetentionDays int

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

// Versionless secret URIs: the app follows a new secret version (App Service refetches references).
var secretUriPrefix = '${vault.properties.vaultUri}secrets/'

var connectionAppSettings = toObject(items(teamsConnections), connection => 'TEAMS_CONNECTION_${toUpper(connection.key)}', connection => string(connection.value))
// The setting name is the token name upper-cased, with '-' and '.' as '_' (as the app reads it).
var mentionScopeAppSettings = toObject(items(mentionScopes), scope => 'TEAMS_MENTION_SCOPE_${toUpper(replace(replace(scope.key, '-', '_'), '.', '_'))}', scope => scope.value)

var webhookAppSettings = toObject(items(webhookSecretNames), webhook => 'TEAMS_WEBHOOK_${toUpper(webhook.key)}', webhook => '@Microsoft.KeyVault(SecretUri=${secretUriPrefix}${webhook.value})')

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  // azd finds the app to deploy service "api" (azure.yaml) by this tag.
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: appServicePlanId
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentStorageContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        // Teams gives a mention 5 s and a cold start can take longer: one HTTP instance stays warm.
        // Flex scales per group ('http' is every HTTP function; the queue and timer functions
        // scale on their own), so this keeps only /api/mention and its siblings ready.
        alwaysReady: [
          {
            name: 'http'
            instanceCount: 1
          }
        ]
      }
      // Flex Consumption takes the runtime here; FUNCTIONS_WORKER_RUNTIME and
      // FUNCTIONS_EXTENSION_VERSION app settings are rejected on this plan.
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union({
    // Identity-based host and app storage: no connection string (shared keys are disabled).
    AzureWebJobsStorage__accountName: storage.name
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identity.properties.clientId
    AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
    AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
    // The host reads a whole request body before a function runs: refuse anything over the 1 MiB the
    // largest of our HTTP functions reads (MAX_REQUEST_BODY_BYTES in shared/platform/http.ts) before it reaches the worker.
    FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '1048576'
    // Secrets are references only; the values live in Key Vault.
    TEAMS_OUTGOING_WEBHOOK_SECRETS: '@Microsoft.KeyVault(SecretUri=${secretUriPrefix}${outgoingWebhookSecretsSecretName})'
    // Until the secret is stored the reference stays unresolved, and the app refuses every GitHub delivery.
    GITHUB_WEBHOOK_SECRET: '@Microsoft.KeyVault(SecretUri=${secretUriPrefix}${githubWebhookSecretSecretName})'
    TEAMS_MENTION_MAP_GITHUB: githubMentionMap
    ALLOWED_WEBHOOK_HOSTS: allowedWebhookHosts
    NOTIFICATIONS_QUEUE: notificationsQueue
    MENTION_MAX_AGE_SECONDS: string(mentionMaxAgeSeconds)
    ALLOW_URL_TARGETS: allowUrlTargets
    MENTION_REPLY_BUDGET_MS: string(mentionReplyBudgetMs)
    DELIVERY_TIMEOUT_MS: string(deliveryTimeoutMs)
    RETRY_MAX_AGE_SECONDS: string(retryMaxAgeSeconds)
    RATE_LIMIT_GUARD_MS: string(rateLimitGuardMs)
    DELIVERY_LEASE_SECONDS: string(deliveryLeaseSeconds)
    SWEEP_SCHEDULE: sweepSchedule
    CARD_TEMPLATES_DIR: cardTemplatesDir
    DIGEST_AFTER_SECONDS: string(digestAfterSeconds)
    ORDER_SETTLE_MS: string(orderSettleMs)
    ROUTES_ALERTS: routesAlerts
    TEAMS_RELAY_FLOW_ALIASES: relayFlowAliases
    RELAY_KEY_RETENTION_DAYS: string(relayKeyRetentionDays)
    LIMITS_CONNECTOR: limitsConnector
    LIMITS_WORKFLOWS: limitsWorkflows
    LIMITS_WORKFLOWS_CONNECTION: limitsWorkflowsConnection
  }, webhookAppSettings, connectionAppSettings, mentionScopeAppSettings)
}

output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
