// Platform-level access to pupils' data is logged: who read, wrote or deleted in storage (blob, table and
// queue data plane), every Key Vault access (AuditEvent), the Function App's own logs and Event Grid
// delivery failures all go to the Log Analytics workspace, and those tables are kept as long as the app's
// own audit trail (DESIGN.md section 7), while the workspace's default stays short for telemetry.
//
// tests/infra/test_bicep.py checks that every resource of a type that supports diagnostic settings has one.

param workspaceName string
param storageAccountName string
param keyVaultName string
param functionAppName string
param systemTopicName string
@minValue(31)
@description('How long the access logs are kept, in days (the audit retention period).')
param auditLogDays int

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-07-01' existing = {
  name: workspaceName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: systemTopicName
}

var storageDataLogs = [
  {
    category: 'StorageRead'
    enabled: true
  }
  {
    category: 'StorageWrite'
    enabled: true
  }
  {
    category: 'StorageDelete'
    enabled: true
  }
]

resource blobLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'access-logs'
  scope: blobService
  properties: {
    workspaceId: workspace.id
    logs: storageDataLogs
  }
}

resource tableLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'access-logs'
  scope: tableService
  properties: {
    workspaceId: workspace.id
    logs: storageDataLogs
  }
}

resource queueLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'access-logs'
  scope: queueService
  properties: {
    workspaceId: workspace.id
    logs: storageDataLogs
  }
}

// The account itself has metrics only (no log categories); its transactions are kept for capacity alerts.
resource storageMetrics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'access-logs'
  scope: storage
  properties: {
    workspaceId: workspace.id
    metrics: [
      {
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

resource vaultLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'access-logs'
  scope: vault
  properties: {
    workspaceId: workspace.id
    logs: [
      {
        category: 'AuditEvent'
        enabled: true
      }
    ]
  }
}

resource functionAppLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'access-logs'
  scope: functionApp
  properties: {
    workspaceId: workspace.id
    logs: [
      {
        category: 'FunctionAppLogs'
        enabled: true
      }
    ]
  }
}

resource eventDeliveryLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'access-logs'
  scope: systemTopic
  properties: {
    workspaceId: workspace.id
    logs: [
      {
        category: 'DeliveryFailures'
        enabled: true
      }
    ]
  }
}

// Key Vault's AuditEvent and Event Grid's DeliveryFailures land in AzureDiagnostics; storage and the Function
// App write their own tables. Interactive retention tops out at 730 days; the rest of the period is long-term.
// A table's total retention is 4-730 days or, beyond two years, only whole years (Microsoft's "Manage data
// retention in a Log Analytics workspace", table-level retention): any other value fails the deployment. The
// tables keep the longest accepted period that is not longer than the audit period (24 x 31 = 744 days: 730).
var acceptedTotalRetentionDays = concat(range(4, 727), [
  1095
  1460
  1826
  2191
  2556
  2922
  3288
  3653
  4018
  4383
])
var accessLogTotalDays = max(filter(acceptedTotalRetentionDays, days => days <= auditLogDays))
var accessLogTables = [
  'StorageBlobLogs'
  'StorageTableLogs'
  'StorageQueueLogs'
  'AzureDiagnostics'
  'FunctionAppLogs'
]

resource accessLogRetention 'Microsoft.OperationalInsights/workspaces/tables@2025-07-01' = [
  for table in accessLogTables: {
    parent: workspace
    name: table
    properties: {
      retentionInDays: min(accessLogTotalDays, 730)
      totalRetentionInDays: accessLogTotalDays
    }
  }
]
