import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "dist/**",
      "probe/dist/**",
      "out/**",
      "coverage/**",
      "examples/**/node_modules/**",
      "examples/**/out/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "off",
    },
  },
  {
    // Pulumi's own rules: an Output in a template literal renders as a warning text, not its value
    // (use pulumi.interpolate). They need type information, so they cover the files tsconfig.json
    // type-checks (examples/consumer has its own project).
    files: ["**/*.ts"],
    ignores: ["examples/**"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
    },
  },
  {
    // Comment lines in the components stay wrapped (prettier leaves comments alone); code and
    // strings are prettier's. A one-line JSDoc is exempt: on an argument the component package
    // exports it is that argument's description in provider/schema.json, which a wrap would split.
    files: ["components/**/*.ts"],
    rules: {
      "max-len": [
        "error",
        {
          code: Number.MAX_SAFE_INTEGER,
          comments: 120,
          ignoreUrls: true,
          ignorePattern: String.raw`^\s*/\*\* .* \*/$`,
        },
      ],
    },
  },
  {
    // A package type that is a TypeScript args interface under the schema's type name
    // (`interface WebSocket extends WebSocketArgs {}`): the schema names a type after its interface.
    files: ["components/package/args.ts"],
    rules: {
      "@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "with-single-extends" }],
    },
  },
  {
    // Tests dig into recorded resource inputs, whose shapes are the providers' own.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        module: "writable",
        process: "readonly",
        __dirname: "readonly",
        console: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
