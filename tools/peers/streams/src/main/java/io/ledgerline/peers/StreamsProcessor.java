package io.ledgerline.peers;

import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import java.io.File;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The processor stage on Kafka Streams, exactly_once_v2: requests joined with the FX table (a GlobalKTable on
 * the fx.rates topic), decided by {@link Rules}, written to the validated or the rejected topic. Records are
 * Avro in the Confluent wire format, through Apicurio's serde against the registry's API.
 *
 * <p>Arguments are key=value: bootstrap, registry (the registry's v2 API), application-id, inputs (comma
 * separated), fx, validated, rejected, schemas (schemas/avro), merchants (merchant-categories.json), base,
 * state-dir, commit-interval-ms.
 */
public final class StreamsProcessor {
  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new HashMap<>();
    for (String arg : argv) args.put(arg.substring(0, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));

    Schema.Parser parser = new Schema.Parser();
    File schemas = new File(args.get("schemas"));
    Schema validated = parser.parse(new File(schemas, "TransactionValidated.avsc"));
    Schema rejected = new Schema.Parser().parse(new File(schemas, "TransactionRejected.avsc"));
    Rules rules = new Rules(args.get("base"), new File(args.get("merchants")), validated, rejected);

    Serde<GenericRecord> avro = avroSerde(args.get("registry"));
    StreamsBuilder builder = new StreamsBuilder();
    GlobalKTable<String, GenericRecord> fx = builder.globalTable(
        args.get("fx"),
        Consumed.with(Serdes.String(), avro),
        Materialized.<String, GenericRecord>as(Stores.inMemoryKeyValueStore("fx-rates"))
            .withKeySerde(Serdes.String()).withValueSerde(avro));
    KStream<String, Rules.Decision> decided = builder
        .stream(Arrays.asList(args.get("inputs").split(",")), Consumed.with(Serdes.String(), avro))
        .leftJoin(fx, (key, request) -> request.get("currency").toString(),
            (request, rate) -> rules.decide(request, rate, System.currentTimeMillis()));
    decided.split()
        .branch((key, decision) -> decision.valid(), Branched.withConsumer(valid -> valid
            .mapValues(Rules.Decision::value).to(args.get("validated"), Produced.with(Serdes.String(), avro))))
        .defaultBranch(Branched.withConsumer(invalid -> invalid
            .mapValues(Rules.Decision::value).to(args.get("rejected"), Produced.with(Serdes.String(), avro))));

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, args.get("application-id"));
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args.get("bootstrap"));
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, args.getOrDefault("commit-interval-ms", "100"));
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    props.put(StreamsConfig.STATE_DIR_CONFIG, args.get("state-dir"));
    props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");

    KafkaStreams streams = new KafkaStreams(builder.build(), props);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      streams.close(Duration.ofSeconds(10));
      stopped.countDown();
    }));
    streams.setUncaughtExceptionHandler(error -> {
      error.printStackTrace();
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_APPLICATION;
    });
    streams.start();
    System.out.println("streams started");
    stopped.await();
  }

  /** Confluent wire format (magic byte, 4-byte id) with the registry's content ids, no headers. */
  static Serde<GenericRecord> avroSerde(String registryUrl) {
    Map<String, Object> config = Map.of(
        SerdeConfig.REGISTRY_URL, registryUrl,
        SerdeConfig.ENABLE_CONFLUENT_ID_HANDLER, true,
        SerdeConfig.USE_ID, "contentId",
        SerdeConfig.ENABLE_HEADERS, false,
        SerdeConfig.FIND_LATEST_ARTIFACT, true,
        SerdeConfig.AUTO_REGISTER_ARTIFACT, false);
    AvroKafkaSerializer<GenericRecord> serializer = new AvroKafkaSerializer<>();
    serializer.configure(config, false);
    AvroKafkaDeserializer<GenericRecord> deserializer = new AvroKafkaDeserializer<>();
    deserializer.configure(config, false);
    return Serdes.serdeFrom(serializer, deserializer);
  }
}
