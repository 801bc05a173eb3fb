'use strict';
/*
 * serverless 3 (the line that works offline, see README) validates `provider.runtime` against a list
 * written before Lambda's nodejs22.x existed, and warns on every package/deploy. This plugin adds the
 * runtime to that list; it changes nothing else. Remove it when the framework knows the runtime.
 */
const RUNTIMES = ['nodejs22.x'];

class RuntimeSchema {
  constructor(serverless) {
    const runtime = serverless.configSchemaHandler?.schema?.definitions?.awsLambdaRuntime;
    if (runtime?.enum) for (const r of RUNTIMES) if (!runtime.enum.includes(r)) runtime.enum.push(r);
  }
}

module.exports = RuntimeSchema;
