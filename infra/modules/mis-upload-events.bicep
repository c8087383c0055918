// Flex Consumption has no polling blob trigger: `ingest_mis_upload` (blob trigger on
// mis-uploads/{school_id}/{name}, source EventGrid) is fed by an Event Grid subscription on the storage
// account's system topic, which posts BlobCreated events to the Functions blob extension's webhook.
//
// This module makes the topic. The subscription needs the host's `blobs_extension` system key, which only
// exists once code containing the trigger runs, so azure.yaml's postdeploy hook deploys it after every
// deployment from infra/postdeploy/mis-upload-subscription.bicep.

param storageAccountName string
param systemTopicName string
param location string
param tags object

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

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

output systemTopicName string = systemTopic.name
