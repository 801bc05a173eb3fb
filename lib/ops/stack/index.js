'use strict';
/*
 * The functions stack's own infrastructure (serverless.yml `resources: ${file(./lib/ops/stack/index.js)}`):
 * one YAML file per concern in this folder, merged here into the one `resources` object serverless
 * takes. The files hold serverless variables (${param:…}, ${sls:stage}) that serverless resolves after
 * this returns. Per-function resources (alarms, metric filters, reserved concurrency, dead letters,
 * the dashboard) are not written here: lib/ops/serverless-ops.js generates them from the functions.
 */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const yaml = require('js-yaml');

const PARTS = ['media.yml', 'mail.yml', 'queues.yml', 'alarms.yml', 'api.yml'];
const SECTIONS = ['Resources', 'Outputs', 'extensions'];

/*
 * A resource whose `Condition` is one of these names is kept only when that stage parameter is set:
 * the value is known when serverless packages, so the template carries no condition that could only
 * ever be true or false.
 */
const WHEN_PARAM_SET = { HasAlarmEmail: 'alarmEmail' };

async function stackResources({ resolveVariable } = {}) {
  const out = Object.fromEntries(SECTIONS.map((s) => [s, {}]));
  for (const part of PARTS) {
    const doc = yaml.load(readFileSync(join(__dirname, part), 'utf8')) ?? {};
    for (const [section, entries] of Object.entries(doc)) {
      if (!SECTIONS.includes(section)) throw new Error(`lib/ops/stack/${part}: unknown section ${section}`);
      for (const [key, value] of Object.entries(entries ?? {})) {
        if (key in out[section]) throw new Error(`lib/ops/stack/${part}: ${section}.${key} is defined twice`);
        out[section][key] = value;
      }
    }
  }
  for (const [id, resource] of Object.entries(out.Resources)) {
    const param = WHEN_PARAM_SET[resource.Condition];
    if (!param) continue;
    const value = resolveVariable ? await resolveVariable(`param:${param}`) : '';
    if (value === '' || value == null) delete out.Resources[id];
    else delete resource.Condition;
  }
  for (const s of SECTIONS) if (!Object.keys(out[s]).length) delete out[s];
  return out;
}

module.exports = stackResources;
module.exports.PARTS = PARTS;
