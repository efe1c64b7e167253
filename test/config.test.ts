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

  it('has scheduled backups off unless an interval is set, to ./data/backups, keeping 7', () => {
    expect(loadConfig({}, false)).toMatchObject({ backupIntervalMinutes: 0, backupFolder: './data/backups', backupKeep: 7 });
    expect(loadConfig({ BACKUP_INTERVAL_MINUTES: '720', BACKUP_FOLDER: '/media/usb/fund', BACKUP_KEEP: '14' }, false)).toMatchObject({
      backupIntervalMinutes: 720,
      backupFolder: '/media/usb/fund',
      backupKeep: 14,
    });
  });

  it.each([
    ['BACKUP_INTERVAL_MINUTES', '-1'],
    ['BACKUP_INTERVAL_MINUTES', 'daily'],
    ['BACKUP_KEEP', '0'],
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
