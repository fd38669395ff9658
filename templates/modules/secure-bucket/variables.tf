variable "name" {
  description = "Bucket name."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.name))
    error_message = "The bucket name must be 3-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit."
  }
}

variable "kms_key_arn" {
  description = "ARN (not alias) of the KMS key for default encryption."
  type        = string
}

variable "kms_key_alias_arn" {
  description = "ARN of the key's alias, also accepted in an upload's key header (null: only the key ARN)."
  type        = string
  default     = null
}

variable "access_log_bucket" {
  description = "Name of the bucket that receives this bucket's server access logs."
  type        = string
}

variable "noncurrent_version_expiration_days" {
  description = "Days a replaced object version is kept."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "Keep replaced versions at least one day."
  }
}

variable "policy_statements" {
  description = "Statements appended to the bucket policy after the TLS-only and KMS-only denies."
  type        = any
  default     = []
}
