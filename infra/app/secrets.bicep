// Key Vault secrets written from deployment parameters. A secret whose parameter is empty is not
// touched, so a value stored with az keyvault secret set survives every later deployment.
param keyVaultName string

@secure()
@description('TEAMS_OUTGOING_WEBHOOK_SECRETS: name:base64token,...; empty leaves the stored secret alone.')
param outgoingWebhookSecrets string = ''
param outgoingWebhookSecretsSecretName string

@secure()
@description('GITHUB_WEBHOOK_SECRET: the secret GitHub signs webhook deliveries with; empty leaves the stored secret alone.')
param githubWebhookSecret string = ''
param githubWebhookSecretSecretName string

@secure()
@description('Incoming webhook or Workflows URL by alias; an alias with an empty URL leaves its stored secret alone.')
param webhooks object = {}

@description('Key Vault secret name by lower-case alias (every alias of webhooks is in it).')
param webhookSecretNames object

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource outgoingWebhookSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(outgoingWebhookSecrets)) {
  parent: vault
  name: outgoingWebhookSecretsSecretName
  properties: {
    value: outgoingWebhookSecrets
  }
}

resource githubSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(githubWebhookSecret)) {
  parent: vault
  name: githubWebhookSecretSecretName
  properties: {
    value: githubWebhookSecret
  }
}

resource webhookSecrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [for webhook in items(webhooks): if (!empty(webhook.value)) {
  parent: vault
  name: webhookSecretNames[toLower(webhook.key)]
  properties: {
    value: webhook.value
  }
}]
