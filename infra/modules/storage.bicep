// The one storage account: the Functions host (AzureWebJobsStorage), the app's tables, the MIS upload and
// report containers, and the Flex Consumption deployment package. Reached only with Entra ID tokens:
// shared keys (and so connection strings and SAS) are refused.

param name string
param location string
param tags object

@description('Blob container the Flex Consumption plan deploys the app package from.')
param deploymentContainerName string

// The app creates its tables itself; these containers must exist before the first upload's event fires.
var dataContainerNames = [
  'mis-uploads'
  'mis-reports'
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    // UK South has availability zones; UK West has none, so it falls back to locally redundant.
    name: location == 'uksouth' ? 'Standard_ZRS' : 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    // DPIA erasure must be complete: a soft-deleted blob still holds a pupil's data until it expires, so
    // soft delete is kept to the 1-day minimum (enough to undo an accidental delete noticed at once).
    // Versioning and the change feed stay off for the same reason: a version is a copy erasure would miss.
    deleteRetentionPolicy: {
      enabled: true
      days: 1
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 1
    }
    isVersioningEnabled: false
    changeFeed: {
      enabled: false
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for containerName in concat(dataContainerNames, [deploymentContainerName]): {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

// Backstop for DESIGN section 7: the app deletes a raw MIS upload once processed and sweeps leftovers after
// 24 h; should the timer ever stop, the platform still deletes any upload older than two days.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-unprocessed-mis-uploads'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                'mis-uploads/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: 2
                }
              }
            }
          }
        }
      ]
    }
  }
}

output name string = storage.name
output id string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
