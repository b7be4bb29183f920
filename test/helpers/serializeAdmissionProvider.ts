/**
 * Prints the admission gate's provider as Pulumi serializes it for the dynamic provider host.
 * Run with tsx in its own process (`runSerializer`): Pulumi's closure serializer inspects V8
 * scopes, which jest's module sandbox hides.
 */
import { serializeAdmissionProvider } from "../../components/knative/AdmissionGate";

serializeAdmissionProvider()
  .then((text) => process.stdout.write(text))
  .catch((err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
  });
