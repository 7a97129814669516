// `npm -w @ledgerline/processor start`: the processor, publishing the reference FX rates first when
// fx.rates is empty (retried like every other fault until the broker and registry answer).
import { runProcessorMain } from "./main.ts";

runProcessorMain({ seedFxRates: true });
