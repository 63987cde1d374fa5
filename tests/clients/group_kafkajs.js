// Two kafkajs consumers in one group: `node group_kafkajs.js HOST:PORT TOPIC GROUP N`.
// Waits until both hold partitions, produces N records, and consumes them between the two
// (kafkajs commits after each batch). Prints "member NAME P,P,..." for each member's final
// assignment, then "record NAME PARTITION OFFSET" for every record consumed.
const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const [bootstrap, topic, group, countText] = process.argv.slice(2);
  const count = Number(countText);
  const kafka = new Kafka({ clientId: 'kafkajs-member', brokers: [bootstrap], logLevel: logLevel.ERROR });
  const assignments = {};
  const records = [];
  const consumers = ['j1', 'j2'].map((name) => {
    const consumer = kafka.consumer({ groupId: group, sessionTimeout: 6000, heartbeatInterval: 300, rebalanceTimeout: 10000 });
    consumer.on(consumer.events.GROUP_JOIN, (e) => { assignments[name] = e.payload.memberAssignment[topic] || []; });
    return { name, consumer };
  });
  for (const { name, consumer } of consumers) {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => { records.push(`record ${name} ${partition} ${message.offset}`); },
    });
  }
  const until = async (condition, what) => {
    const deadline = Date.now() + 60000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(assignments)}, ${records.length} records`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const split = () => {
    const all = [...(assignments.j1 || []), ...(assignments.j2 || [])];
    return (assignments.j1 || []).length > 0 && (assignments.j2 || []).length > 0 && new Set(all).size === all.length;
  };
  await until(split, 'both members to hold partitions');

  const producer = kafka.producer();
  await producer.connect();
  const messages = [];
  for (let i = 0; i < count; i++) messages.push({ value: `${i}` });
  await producer.send({ topic, messages });
  await producer.disconnect();
  await until(() => records.length >= count, `${count} records`);

  for (const name of ['j1', 'j2']) console.log(`member ${name} ${assignments[name].join(',')}`);
  for (const r of records) console.log(r);
  for (const { consumer } of consumers) await consumer.disconnect();
}

main().catch((e) => { console.error(e); process.exit(1); });
