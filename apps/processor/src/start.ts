// `npm start`: publishes the reference FX rates when fx.rates is empty, then runs the processor.
import { parseBrokers } from "@ledgerline/kafka";
import { environmentFrom, names } from "@ledgerline/topology";
import { runProcessorMain } from "./main.ts";
import { publishFxRatesIfEmpty } from "./publishFxRates.ts";

const environment = environmentFrom();
const published = await publishFxRatesIfEmpty({
  connection: {
    bootstrapBrokers: parseBrokers(environment.bootstrapServers),
    clientId: "ledgerline-fx-publisher",
  },
  registryUrl: environment.registryUrl,
  names: names(environment.namespace),
});
if (published > 0)
  console.log(JSON.stringify({ message: `published ${published} reference FX rates`, service: "processor" }));
runProcessorMain();
