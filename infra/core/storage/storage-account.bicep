// The storage account: host storage, the deployment package container, the app's queues and tables.
param name string
param location string = resourceGroup().location
param tags object = {}

@description('Blob containers to create (the Flex Consumption deployment package container).')
param containers array = []

@description('Queues to create up front, so the queue triggers find them on their first poll.')
param queueNames array = []

@description('Tables to create up front.')
param tableNames array = []

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    // Identity only: every client (host, app, CLI, deployment) uses Entra ID and RBAC.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    dnsEndpointType: 'Standard'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource blobServices 'blobServices' = {
    name: 'default'
    resource blobContainers 'containers' = [for container in containers: {
      name: container
      properties: {
        publicAccess: 'None'
      }
    }]
  }

  resource queueServices 'queueServices' = {
    name: 'default'
    resource queues 'queues' = [for queue in queueNames: {
      name: queue
    }]
  }

  resource tableServices 'tableServices' = {
    name: 'default'
    resource tables 'tables' = [for table in tableNames: {
      name: table
    }]
  }
}

output name string = storage.name
output primaryEndpoints object = storage.properties.primaryEndpoints
