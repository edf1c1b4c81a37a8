{{each_bucket}}
