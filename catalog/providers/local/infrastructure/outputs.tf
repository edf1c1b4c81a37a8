{{each_bucket_output}}
