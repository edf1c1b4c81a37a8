{{each_queue}}
