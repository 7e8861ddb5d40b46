#!/usr/bin/env node
// Validates Kubernetes documents against the API's OpenAPI schemas, as carried by the
// kubernetes-models package (compiled JSON-schema validators, offline once installed).
// Usage: node validate.js FILE.json   (FILE: a JSON array of documents, e.g. a rendered
// kustomization converted from YAML). Prints one line per document; exits 1 if any is invalid
// or of a kind the package does not know.
"use strict";
const fs = require("fs");

const docs = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
let bad = 0;
for (const doc of docs) {
  const where = `${doc && doc.kind}/${doc && doc.metadata && doc.metadata.name}`;
  if (!doc || typeof doc.apiVersion !== "string" || typeof doc.kind !== "string") {
    console.log(`invalid: ${where}: no apiVersion/kind`);
    bad++;
    continue;
  }
  // "apps/v1" -> kubernetes-models/apps/v1, "v1" -> kubernetes-models/v1
  let mod;
  try {
    mod = require(`kubernetes-models/${doc.apiVersion}`);
  } catch (e) {
    console.log(`invalid: ${where}: unknown apiVersion ${doc.apiVersion}`);
    bad++;
    continue;
  }
  const Model = mod[doc.kind];
  if (typeof Model !== "function") {
    console.log(`invalid: ${where}: unknown kind ${doc.kind} in ${doc.apiVersion}`);
    bad++;
    continue;
  }
  try {
    new Model(doc).validate();
    console.log(`valid: ${doc.apiVersion} ${where}`);
  } catch (e) {
    console.log(`invalid: ${doc.apiVersion} ${where}: ${String(e.message).split("\n").join("; ")}`);
    bad++;
  }
}
process.exit(bad ? 1 : 0);
