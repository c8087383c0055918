// Deployed by azure.yaml's postdeploy hook (infra/scripts/postdeploy.*) after the code is deployed, into the
// resource group main.bicep made: BlobCreated events under mis-uploads/ go to the blob extension webhook of
// `ingest_mis_upload`. The webhook key is read here, inside ARM, so it never reaches the deployer's shell.

param systemTopicName string
param functionAppName string

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: systemTopicName
}

var blobsExtensionKey = listKeys(resourceId('Microsoft.Web/sites/host', functionAppName, 'default'), '2024-04-01').systemKeys.blobs_extension

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
    // mis-uploads; undelivered events show in the topic's DroppedEventCount metric and DeliveryFailures log.
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}
