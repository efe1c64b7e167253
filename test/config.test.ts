// Configuration is read once and a bad value stops start-up naming the variable.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('has defaults that serve on 127.0.0.1:3000 with ./data/fund.db', () => {
    const config = loadConfig({}, false);
    expect(config).toMatchObject({ host: '127.0.0.1', port: 3000, databasePath: './data/fund.db', fundTimeZone: 'Asia/Ho_Chi_Minh', logPretty: false });
  });

  it('reads the environment and treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '8080', HOST: '0.0.0.0', DATABASE_PATH: '/srv/fund.db', LOG_LEVEL: '' }, true)).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databasePath: '/srv/fund.db',
      logLevel: 'info',
      logPretty: true,
    });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['LOG_LEVEL', 'loud'],
    ['TOKEN_TTL_MINUTES', '-5'],
    ['FUND_TIME_ZONE', 'Mars/Olympus'],
    ['FUND_ADMIN_PASSWORD', 'short'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value }, false)).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value }, false)).toThrow(new RegExp(name));
  });
});
