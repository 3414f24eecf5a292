// teams-relay in Azure: a resource group holding a Flex Consumption function app, its storage
// account (queues and tables created up front), a user-assigned identity, a Key Vault for the
// tokens and webhook URLs, and Application Insights. `azd up` fills the parameters from
// main.parameters.json; `az deployment sub create` takes them on the command line.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the environment; it names the resource group and seeds the hash in every other resource name.')
param environmentName string

@minLength(1)
@description('Region of every resource. Flex Consumption runs in a subset of regions: az functionapp list-flexconsumption-locations.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the operator who runs the CLI against the deployed storage and stores secrets in Key Vault; empty for none. azd passes the signed-in user.')
param principalId string = ''

@allowed(['User', 'Group', 'ServicePrincipal'])
param principalType string = 'User'

@description('Node.js major version of the Functions runtime.')
@allowed(['20', '22'])
param nodeVersion string = '22'

@description('Most instances Flex Consumption may run per function group.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory of each instance; CPU and network grow with it.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@secure()
@description('TEAMS_OUTGOING_WEBHOOK_SECRETS, written to Key Vault when given. Usually left empty and stored with az keyvault secret set once Teams has shown the token.')
param outgoingWebhookSecrets string = ''

@secure()
@description('GITHUB_WEBHOOK_SECRET, written to Key Vault when given; the secret of the GitHub webhook. Empty leaves a stored one alone; with none stored, the GitHub endpoint refuses every delivery.')
param githubWebhookSecret string = ''

@description('TEAMS_MENTION_MAP_GITHUB: GitHub login to Teams user, login:upn,... (e.g. octocat:ada@contoso.com), so reviewers are @mentioned; empty: none.')
param githubMentionMap string = ''

@secure()
@description('Incoming webhook or Workflows URL by alias, e.g. {"ops": "https://..."}: one Key Vault secret and one TEAMS_WEBHOOK_<ALIAS> app setting each.')
param webhooks object = {}

@description('Comma-separated aliases whose URLs are stored in Key Vault by hand (az keyvault secret set): one TEAMS_WEBHOOK_<ALIAS> app setting each. Letters, digits and "_" only: app setting names on Linux cannot carry "-".')
param webhookAliases string = ''

@description('Teams connection (flow owner) by Workflows alias, e.g. {"ops": "ada", "deploys": "ada", "alerts": "grace"}: one TEAMS_CONNECTION_<ALIAS> app setting each. Aliases left out share the connection "default".')
param teamsConnections object = {}

@description('LIMITS_CONNECTOR: count/seconds windows per connector URL; empty keeps 4/1,60/30,100/3600,150/7200,1800/86400.')
param limitsConnector string = ''

@description('LIMITS_WORKFLOWS: count/seconds windows per Workflows URL; empty keeps the connector table.')
param limitsWorkflows string = ''

@description('LIMITS_WORKFLOWS_CONNECTION: count/seconds windows per Teams connection; empty keeps 100/60,25/300 (the Flow bot limits).')
param limitsWorkflowsConnection string = ''

@description('ALLOWED_WEBHOOK_HOSTS; empty allows the Teams and Workflows host families.')
param allowedWebhookHosts string = ''

@description('NOTIFICATIONS_QUEUE; its -poison and -wakeup queues are created beside it. At most 49 characters, so "<name>-wakeup-poison" stays within 63.')
@minLength(3)
@maxLength(49)
param notificationsQueue string = 'notifications'

@description('TEAMS_MENTION_SCOPE_<NAME> by token name: the aliases (comma-separated, or *) that mentions signed with that token may see in status, e.g. {"ops": "ops,alerts", "admin": "*"}. A token without an entry sees every webhook when it is the only token, none when there are several.')
param mentionScopes object = {}

@description('MENTION_MAX_AGE_SECONDS: a mention whose activity timestamp is older than this is refused like a bad signature.')
@minValue(10)
@maxValue(3600)
param mentionMaxAgeSeconds int = 300

@description('ALLOW_URL_TARGETS: "true" lets jobs name a {url} target instead of an alias; such URLs are then stored in the outbox and dead letters.')
@allowed(['true', 'false'])
param allowUrlTargets string = 'false'

@description('MENTION_REPLY_BUDGET_MS: Teams waits 5 s for a mention reply.')
@minValue(1)
@maxValue(4900)
param mentionReplyBudgetMs int = 4000

@description('DELIVERY_TIMEOUT_MS: timeout of one POST to Teams.')
@minValue(100)
@maxValue(120000)
param deliveryTimeoutMs int = 10000

@description('RETRY_MAX_AGE_SECONDS: transient failures are retried this long, then dead-lettered.')
@minValue(1)
@maxValue(604800)
param retryMaxAgeSeconds int = 86400

@description('RATE_LIMIT_GUARD_MS: added to every rate window to absorb network jitter.')
@minValue(0)
@maxValue(1000)
param rateLimitGuardMs int = 50

@description('DELIVERY_LEASE_SECONDS: how long a sender holds a webhook without renewing.')
@minValue(1)
@maxValue(600)
param deliveryLeaseSeconds int = 30

@description('SWEEP_SCHEDULE: NCRONTAB (6 fields) of the sweep that wakes stranded webhooks.')
param sweepSchedule string = '0 */1 * * * *'

@description('CARD_TEMPLATES_DIR: folder of designer card templates in the deployed package; empty: templates/ in the package, which may be absent.')
param cardTemplatesDir string = ''

@description('DIGEST_AFTER_SECONDS: fold a backlog that would wait longer than this into digest posts; 0 turns digests off.')
@minValue(0)
@maxValue(604800)
param digestAfterSeconds int = 60

@description('TEAMS_RELAY_FLOW_ALIASES: aliases (comma-separated) whose URL is a relay flow of our own that updates and threads cards; the deployed relay flow\'s alias is added when deployRelayFlow is true.')
param relayFlowAliases string = ''

@description('RELAY_KEY_RETENTION_DAYS: how long a relay flow\'s message id is used for its updateKey or threadKey.')
@minValue(1)
@maxValue(365)
param relayKeyRetentionDays int = 30

@description('ROUTES_ALERTS: where Alertmanager and Grafana notifications go when the request names no ?to=, e.g. "team=db:dba;severity=critical:oncall;*:ops" (first match on the common labels wins). Empty: every request must name ?to=.')
param routesAlerts string = ''

@description('ORDER_SETTLE_MS: how long a fresh job waits for earlier jobs another instance is still accepting.')
@minValue(0)
@maxValue(60000)
param orderSettleMs int = 1000

@description('Deploy the relay flow: a Logic App that posts, replies to and updates cards in one channel and answers with the message id (README, "A relay flow of your own"). Its Teams connection must be authorized once in the portal after deployment.')
param deployRelayFlow bool = false

@description('Alias of the relay flow: its callback URL is stored as the Key Vault secret teams-webhook-<alias> and read as TEAMS_WEBHOOK_<ALIAS>. Letters, digits and "_" only; do not also list it in webhooks.')
param relayFlowAlias string = 'relay'

@description('Relay flow: the team (Microsoft 365 group id) of its channel; required when deployRelayFlow is true.')
param relayFlowTeamId string = ''

@description('Relay flow: the channel id (19:...@thread.tacv2) it posts in, a standard channel (Flow bot cannot post in private ones); required when deployRelayFlow is true.')
param relayFlowChannelId string = ''

var abbrs = loadJsonContent('./abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = '${abbrs.webSitesFunctions}relay-${resourceToken}'
var deploymentStorageContainerName = 'app-package-${take(functionAppName, 32)}-${take(toLower(uniqueString(functionAppName, resourceToken)), 7)}'

// Aliases are case-insensitive in the app; Key Vault secret names allow letters, digits and "-" only.
var deployedRelayFlowAliases = deployRelayFlow ? [toLower(relayFlowAlias)] : []
var webhookAliasList = union(map(items(webhooks), webhook => toLower(webhook.key)), filter(map(split(webhookAliases, ','), alias => toLower(trim(alias))), alias => !empty(alias)), deployedRelayFlowAliases)
var webhookSecretNames = toObject(webhookAliasList, alias => alias, alias => 'teams-webhook-${replace(alias, '_', '-')}')
var outgoingWebhookSecretsSecretName = 'teams-outgoing-webhook-secrets'
var githubWebhookSecretSecretName = 'github-webhook-secret'
// The relay flow posts through its own Teams API connection, so its alias gets a budget of its own
// unless teamsConnections says otherwise.
var relayFlowConnections = toObject(deployedRelayFlowAliases, alias => alias, alias => 'relay-flow-${alias}')

resource rg 'Microsoft.Resources/resourceGroups@2021-04-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity './core/identity/user-assigned-identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}relay-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage './core/storage/storage-account.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    containers: [deploymentStorageContainerName]
    // The names shared/platform/storage.ts and functions/ use: the job queue, the host's poison queue and the wake-ups.
    queueNames: [notificationsQueue, '${notificationsQueue}-poison', '${notificationsQueue}-wakeup']
    tableNames: ['TeamsRelayOutbox', 'TeamsRelayDeadLetters']
  }
}

module monitoring './core/monitor/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module workbook './app/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    location: location
    tags: tags
  }
}

module keyVault './core/security/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: '${abbrs.keyVaultVaults}${resourceToken}'
    location: location
    tags: tags
  }
}

module plan './core/host/flex-consumption-plan.bicep' = {
  name: 'plan'
  scope: rg
  params: {
    name: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
  }
}

module rbac './app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    managedIdentityPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

module secrets './app/secrets.bicep' = {
  name: 'secrets'
  scope: rg
  params: {
    keyVaultName: keyVault.outputs.name
    outgoingWebhookSecrets: outgoingWebhookSecrets
    outgoingWebhookSecretsSecretName: outgoingWebhookSecretsSecretName
    githubWebhookSecret: githubWebhookSecret
    githubWebhookSecretSecretName: githubWebhookSecretSecretName
    webhooks: webhooks
    webhookSecretNames: webhookSecretNames
  }
}

module relayFlow './app/relay-flow.bicep' = if (deployRelayFlow) {
  name: 'relay-flow'
  scope: rg
  params: {
    name: '${abbrs.logicWorkflows}relay-${resourceToken}'
    location: location
    tags: tags
    teamId: relayFlowTeamId
    channelId: relayFlowChannelId
    keyVaultName: keyVault.outputs.name
    // Safe access: ARM may evaluate a skipped module's parameters, and without the flow the alias has no entry.
    webhookSecretName: webhookSecretNames[?toLower(relayFlowAlias)] ?? ''
  }
}

module api './app/api.bicep' = {
  name: 'api'
  scope: rg
  // The app resolves its Key Vault references and reaches storage as soon as it starts.
  dependsOn: [
    rbac
    secrets
    relayFlow
  ]
  params: {
    name: functionAppName
    location: location
    tags: tags
    appServicePlanId: plan.outputs.id
    storageAccountName: storage.outputs.name
    deploymentStorageContainerName: deploymentStorageContainerName
    identityName: identity.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    nodeVersion: nodeVersion
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    outgoingWebhookSecretsSecretName: outgoingWebhookSecretsSecretName
    githubWebhookSecretSecretName: githubWebhookSecretSecretName
    githubMentionMap: githubMentionMap
    webhookSecretNames: webhookSecretNames
    teamsConnections: union(relayFlowConnections, teamsConnections)
    limitsConnector: limitsConnector
    limitsWorkflows: limitsWorkflows
    limitsWorkflowsConnection: limitsWorkflowsConnection
    allowedWebhookHosts: allowedWebhookHosts
    notificationsQueue: notificationsQueue
    mentionScopes: mentionScopes
    mentionMaxAgeSeconds: mentionMaxAgeSeconds
    allowUrlTargets: allowUrlTargets
    mentionReplyBudgetMs: mentionReplyBudgetMs
    deliveryTimeoutMs: deliveryTimeoutMs
    retryMaxAgeSeconds: retryMaxAgeSeconds
    rateLimitGuardMs: rateLimitGuardMs
    deliveryLeaseSeconds: deliveryLeaseSeconds
    sweepSchedule: sweepSchedule
    cardTemplatesDir: cardTemplatesDir
    digestAfterSeconds: digestAfterSeconds
    orderSettleMs: orderSettleMs
    routesAlerts: routesAlerts
    relayFlowAliases: join(union(filter(map(split(relayFlowAliases, ','), alias => toLower(trim(alias))), alias => !empty(alias)), deployedRelayFlowAliases), ',')
    relayKeyRetentionDays: relayKeyRetentionDays
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
// The names Microsoft's Functions azd templates give the same value.
output AZURE_FUNCTION_NAME string = api.outputs.name
output SERVICE_API_NAME string = api.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output NOTIFICATIONS_QUEUE string = notificationsQueue
@description('The callback URL to paste into Teams when creating the outgoing webhook (add ?id=<name> to pick a token).')
output TEAMS_CALLBACK_URL string = 'https://${api.outputs.defaultHostName}/api/mention'
