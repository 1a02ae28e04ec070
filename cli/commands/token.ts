import { parseCommandLine, stringOption, type Command } from '../command.js';
import { CliError } from '../errors.js';
import { DEFAULT_MAP_BUCKET_SIZE, maxMapKeyLength } from '../map-limits.js';
import { DEFAULT_TOKEN_LENGTH, makeToken, mapLine, MIN_TOKEN_LENGTH } from '../token.js';

const help = `Usage: backsoon token [--length N]

Makes a staff bypass token for planned maintenance, one that fits nginx's
map (a key longer than ${maxMapKeyLength()} characters stops nginx with the default
map_hash_bucket_size ${DEFAULT_MAP_BUCKET_SIZE}), and prints the line for backsoon-staff.conf.

Options:
  --length N   hex digits, ${MIN_TOKEN_LENGTH} to ${maxMapKeyLength()} (default: ${DEFAULT_TOKEN_LENGTH}, 160 bits)
  -h, --help   this text
`;

export const token: Command = {
  name: 'token',
  summary: "make a staff bypass token that fits nginx's map, and its line",
  help,
  async run(args, io) {
    const { values, help: wantsHelp } = parseCommandLine(this, args, { length: { type: 'string' } });
    if (wantsHelp) {
      io.out(help);
      return 0;
    }
    const lengthText = stringOption(values, 'length');
    const length = lengthText === undefined ? DEFAULT_TOKEN_LENGTH : Number(lengthText);
    if (lengthText !== undefined && !/^\d+$/.test(lengthText))
      throw new CliError(`--length ${lengthText}: a whole number of characters`, 2);
    const value = makeToken(length);
    io.out(`${value}

Add this line to the map $cookie_backsoon_bypass block of backsoon-staff.conf
(on Debian /etc/nginx/conf.d/backsoon-staff.conf), under "default 0;":

    ${mapLine(value)}

Then nginx -t && nginx -s reload, and give staff the secret link:

    https://<your site>/__backsoon/bypass?token=${value}
`);
    return 0;
  },
};
