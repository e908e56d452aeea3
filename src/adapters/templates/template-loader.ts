import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanTemplate } from '../../../agents/shared/plan.types.js';
import templateSchema from '../../../templates/template.schema.json' with { type: 'json' };
import { SwapdError } from '../../errors.js';
import { createAjv } from '../../validation/ajv.js';
import { toDetails } from '../../validation/details.js';

const validate = createAjv().compile<PlanTemplate>(templateSchema);

/** Every `*.json` template in the folder (the schema excepted), validated; a broken one names its file. */
export function loadTemplates(dir: string): PlanTemplate[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'));
  return files.sort().map((file) => {
    const path = join(dir, file);
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(path, 'utf8'));
    } catch (cause) {
      throw new SwapdError('CONFIG_INVALID', `template ${path} is not valid JSON`, { cause });
    }
    if (!validate(value)) {
      const details = toDetails(validate.errors);
      const lines = details.map((d) => `  ${d.path}: ${d.message}`).join('\n');
      throw new SwapdError('CONFIG_INVALID', `template ${path} is invalid:\n${lines}`, { details });
    }
    return value;
  });
}
