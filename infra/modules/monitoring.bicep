// Log Analytics + workspace-based Application Insights, both in the UK location. Local (instrumentation
// key) auth is off: the Function App sends telemetry with its managed identity (Monitoring Metrics
// Publisher, see roles.bicep). IP masking stays on, and logs are kept for the 30-day minimum because
// telemetry is operational data, not a record (the audit trail lives in Table storage).

param workspaceName string
param appInsightsName string
param location string
param tags object

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-07-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true
    DisableIpMasking: false
  }
}

output appInsightsName string = appInsights.name
output workspaceName string = workspace.name
