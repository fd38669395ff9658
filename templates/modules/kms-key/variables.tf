variable "alias" {
  description = "Alias of the key, alias/<name>."
  type        = string

  validation {
    condition     = can(regex("^alias/[A-Za-z0-9/_-]+$", var.alias)) && !startswith(var.alias, "alias/aws/")
    error_message = "The alias must start with alias/, not alias/aws/, and use only letters, digits, / _ -."
  }
}

variable "description" {
  description = "Description of the key."
  type        = string
}

variable "deletion_window_in_days" {
  description = "Waiting period before a deleted key is destroyed."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "The deletion window must be 7 to 30 days."
  }
}

variable "rotation_period_in_days" {
  description = "Automatic rotation period."
  type        = number
  default     = 365

  validation {
    condition     = var.rotation_period_in_days >= 90 && var.rotation_period_in_days <= 2560
    error_message = "The rotation period must be 90 to 2560 days."
  }
}

variable "policy" {
  description = "The key policy, a JSON document."
  type        = string

  validation {
    condition     = can(jsondecode(var.policy))
    error_message = "The key policy must be a JSON document."
  }
}
