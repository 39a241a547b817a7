import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { slackBotScopes } from '../../../server/domains/slack/slack.oauth.ts';

const manifest = readFileSync(new URL('../../../bots/slack/manifest.yml', import.meta.url), 'utf8');
/** The items of a YAML list under `key:` (this file's lists are plain `- item` lines). */
const listUnder = (key: string) => {
  const start = manifest.indexOf(`${key}:\n`);
  const items: string[] = [];
  for (const line of manifest.slice(start + key.length + 2).split('\n')) {
    if (/^\s*#/.test(line)) continue;
    const m = /^\s*- (\S+)\s*$/.exec(line);
    if (!m) break;
    items.push(m[1]!);
  }
  return items;
};

describe('the Slack app manifest (bots/slack/manifest.yml)', () => {
  it('asks for the bot scopes "Add to Slack" asks for, including the history scopes its message events need, and the events that say the app was removed', () => {
    expect(listUnder('bot')).to.have.members([...slackBotScopes]);
    expect(listUnder('bot_events')).to.deep.equal(['message.channels', 'message.groups', 'app_uninstalled', 'tokens_revoked']);
    expect(listUnder('bot')).to.include.members(['channels:history', 'groups:history']);
  });

  it('points every request URL at the routes the app mounts', () => {
    for (const path of ['/slack/events', '/slack/actions', '/slack/commands', '/slack/oauth_redirect']) expect(manifest).to.include(`https://madoguchi.example.jp${path}`);
    expect(manifest).to.include('command: /madoguchi');
  });
});
