import * as fs from "fs";
import * as path from "path";
import { configMarkdown, configReferenceYaml } from "../stacks/configDocs";

/** `npm run gen:config`: writes stacks/configReference.yaml and docs/CONFIG.md from components/settings. */
const root = path.resolve(__dirname, "..");
fs.writeFileSync(path.join(root, "stacks/configReference.yaml"), configReferenceYaml());
fs.writeFileSync(path.join(root, "docs/CONFIG.md"), configMarkdown());
