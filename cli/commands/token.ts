import { parseCommandLine, stringOption, type Command } from '../command.js';
import { CliError } from '../errors.js';
import { DEFAULT_TOKEN_LENGTH, makeToken, mapLine, TOKEN_MAP } from '../token.js';
import { PATHS, TOKEN_LENGTH } from '../../src/protocol.js';

const help = `Usage: backsoon token [--length N]

Makes a staff bypass token for planned maintenance and prints its line for
the token map of backsoon-staff.conf,

    ${TOKEN_MAP} { … }

a regular expression: matched case-sensitively, and never in nginx's map
hash, whatever its length.

Options:
  --length N   hex digits, ${TOKEN_LENGTH.min} to ${TOKEN_LENGTH.max} (default: ${DEFAULT_TOKEN_LENGTH}, 192 bits)
  -h, --help   this text
`;

export const token: Command = {
  name: 'token',
  summary: 'make a staff bypass token, and its line for the staff file',
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

Add this line to the ${TOKEN_MAP} block of backsoon-staff.conf
(on Debian /etc/nginx/conf.d/backsoon-staff.conf), under "default 0;":

    ${mapLine(value)}

Then nginx -t && nginx -s reload, and give staff the secret link:

    https://<your site>${PATHS.bypass}?token=${value}
`);
    return 0;
  },
};
