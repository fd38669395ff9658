output "name" {
  description = "Name of the bucket, once log delivery is allowed to write to it."
  value       = aws_s3_bucket.this.id

  depends_on = [aws_s3_bucket_policy.this, aws_s3_bucket_ownership_controls.this]
}

output "arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}
