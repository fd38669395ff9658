variable "name" {
  description = "Bucket name."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.name))
    error_message = "The bucket name must be 3-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit."
  }
}

variable "retention_in_days" {
  description = "Days access logs are kept."
  type        = number
  default     = 365

  validation {
    condition     = var.retention_in_days >= 1
    error_message = "Keep access logs at least one day."
  }
}
