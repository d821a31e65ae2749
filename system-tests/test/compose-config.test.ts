import path from 'node:path';
import { loadConfig, type z } from '@canaduck/config';
import { ROOT, environmentOf, interpolateDeep, launcherServices, readCompose, readText, requiredVariables } from './helpers/repo';

/**
 * Every service's environment in docker-compose.yml, interpolated as a filled-in .env
 * would make it, must pass that service's own config schema (src/config.ts) in
 * production mode: nothing required is missing and nothing set is unknown to it.
 */
const compose = readCompose();
const services = compose.services as Record<string, Record<string, unknown>>;
const env = Object.fromEntries(
  requiredVariables(readText('docker-compose.yml')).map((v) => [v, `${v.toLowerCase().replace(/_/g, '')}0123456789abcdef0123456789abcdef`]),
);

describe.each(launcherServices())('$name in docker-compose.yml', (svc) => {
  const { configShape } = require(path.join(ROOT, svc.name, 'src', 'config')) as { configShape: z.ZodRawShape };
  const composed = interpolateDeep(environmentOf(services[svc.name]), env);

  it('when its compose environment is loaded by its config schema, then it is accepted in production mode', () => {
    expect(composed.NODE_ENV).toBe('production');
    const config = loadConfig(configShape, composed) as Record<string, unknown>;
    expect(config.PORT).toBe(svc.port);
    expect(config.NODE_ENV).toBe('production');
  });

  it('when looking at the variables compose sets, then each one is a variable its config reads', () => {
    const unknown = Object.keys(composed).filter((k) => !(k in configShape));
    expect(unknown).toEqual([]);
  });

  it('when a variable its config requires has no default, then compose sets it', () => {
    const required = Object.entries(configShape)
      .filter(([, schema]) => !schema.isOptional())
      .map(([k]) => k);
    expect(required.filter((k) => composed[k] === undefined)).toEqual([]);
  });

  it('when the services call each other, then every *_SERVICE_URL points at a compose service on its port', () => {
    for (const other of launcherServices()) {
      const key = `${other.name.split('-')[0].toUpperCase()}_SERVICE_URL`;
      if (key in configShape) expect(composed[key]).toBe(`http://${other.name}:${other.port}`);
    }
  });
});
