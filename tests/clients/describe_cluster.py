"""Prints the cluster as kafka-python sees it: `python3 describe_cluster.py HOST:PORT`."""
import json
import sys

from kafka import KafkaAdminClient

admin = KafkaAdminClient(bootstrap_servers=sys.argv[1], client_id="gregor-e2e", request_timeout_ms=10000)
print(json.dumps(admin.describe_cluster()))
admin.close()
