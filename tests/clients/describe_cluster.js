// Prints the cluster as kafkajs sees it: `node describe_cluster.js HOST:PORT`.
const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const kafka = new Kafka({ clientId: 'gregor-e2e', brokers: [process.argv[2]], logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  await admin.connect();
  const cluster = await admin.describeCluster();
  console.log(JSON.stringify(cluster));
  await admin.disconnect();
}

main().catch((e) => { console.error(e); process.exit(1); });
