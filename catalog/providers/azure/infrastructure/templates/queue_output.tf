output "queue_{{id}}" {
  description = "The storage queue of {{name}}, read by the app from {{env}}; its dead-letter queue is named the same with -dead-letters."
  value       = azurerm_storage_queue.{{id}}.name
}
