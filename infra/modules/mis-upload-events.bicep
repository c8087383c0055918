// Flex Consumption has no polling blob trigger: `ingest_mis_upload` (blob trigger on
// mis-uploads/{school_id}/{name}, source EventGrid) is fed by an Event Grid subscription on the storage
// account that posts BlobCreated events to the Functions blob extension's webhook.
//
// The webhook's key (the `blobs_extension` system key) only exists once code containing that trigger has
// been deployed, so main.bicep deploys this module only when deployEventGrid is true (see infra/README.md).

param storageAccountName string
param functionAppName string
param systemTopicName string
param location string
param tags object

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

var blobsExtensionKey = listKeys(resourceId('Microsoft.Web/sites/host', functionAppName, 'default'), '2023-12-01').systemKeys.blobs_extension

// A system topic lives in its source's region: here the storage account's, i.e. the UK location.
resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: systemTopicName
  location: location
  tags: tags
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource ingestMisUpload 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: systemTopic
  name: 'ingest-mis-upload'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${functionApp.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.ingest_mis_upload&code=${blobsExtensionKey}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: '/blobServices/default/containers/mis-uploads/'
    }
    eventDeliverySchema: 'EventGridSchema'
    // Retry for 24 h, the same window after which the app sweeps an unprocessed upload. No dead-letter
    // container: it would be one more place holding upload paths, and the blob itself is still in
    // mis-uploads; undelivered events show in the topic's DroppedEventCount metric.
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

output systemTopicName string = systemTopic.name
