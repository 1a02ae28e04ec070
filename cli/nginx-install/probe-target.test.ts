import { describe, expect, it } from 'vitest';
import { loadDump } from '../nginx-conf.js';
import { planProbe, splitProxyPass } from './probe-target.js';
import { findServers, httpBlock } from './servers.js';

function probeOf(http: string, health?: string): string {
  const tree = loadDump(`# configuration file /e/nginx.conf:\nevents {}\nhttp {\n${http}\n}\n`);
  const [server] = findServers(tree, '/usr/share/nginx');
  const planned = planProbe(server!, httpBlock(tree), health);
  return 'reason' in planned ? `no: ${planned.reason}` : planned.lines('kit').join(' ');
}

describe('splitProxyPass', () => {
  it('reads hosts, ports, upstreams and unix sockets, with or without a URI', () => {
    expect(splitProxyPass('http://127.0.0.1:8000')).toEqual({
      scheme: 'http://',
      host: '127.0.0.1:8000',
      uri: undefined,
      unix: false,
    });
    expect(splitProxyPass('https://app/base/')).toEqual({
      scheme: 'https://',
      host: 'app',
      uri: '/base/',
      unix: false,
    });
    expect(splitProxyPass('http://unix:/run/app.sock:/api/')).toEqual({
      scheme: 'http://',
      host: 'unix:/run/app.sock',
      uri: '/api/',
      unix: true,
    });
    expect(splitProxyPass('http://unix:/run/app.sock')).toEqual({
      scheme: 'http://',
      host: 'unix:/run/app.sock',
      uri: undefined,
      unix: true,
    });
    expect(splitProxyPass('$backend')).toBeUndefined();
  });
});

describe('planProbe', () => {
  it('asks the app of location / a path it does not have, /__backsoon/health, or the health path given', () => {
    expect(probeOf('server { location /static/ { root /s; } location / { proxy_pass http://127.0.0.1:8000; } }')).toBe(
      'location = /__backsoon/probe { proxy_pass http://127.0.0.1:8000/__backsoon/health; include kit/location/backsoon-probe.conf; }',
    );
    expect(probeOf('server { location / { proxy_pass http://127.0.0.1:8000/; } }')).toContain(
      'proxy_pass http://127.0.0.1:8000/__backsoon/health;',
    );
    expect(probeOf('server { location / { proxy_pass http://unix:/run/a.sock; } }')).toContain(
      'proxy_pass http://unix:/run/a.sock:/__backsoon/health;',
    );
    expect(probeOf('server { location / { proxy_pass http://unix:/run/a.sock; } }', '/healthz')).toContain(
      'proxy_pass http://unix:/run/a.sock:/healthz;',
    );
    expect(probeOf('server { location / { proxy_pass http://127.0.0.1:8000; } }', '/')).toContain(
      'proxy_pass http://127.0.0.1:8000/;',
    );
  });

  it('under the prefix the app gets for its location, so that the app of the block’s pages answers it', () => {
    expect(probeOf('server { location /app/ { proxy_pass https://app; } }')).toContain(
      'proxy_pass https://app/app/__backsoon/health;',
    );
    expect(probeOf('server { location ^~ /app { proxy_pass https://app; } }')).toContain(
      'proxy_pass https://app/app/__backsoon/health;',
    );
    expect(probeOf('server { location / { proxy_pass http://app/base/; } }')).toContain(
      'proxy_pass http://app/base/__backsoon/health;',
    );
    expect(probeOf('server { location /app/ { proxy_pass http://app/; } }')).toContain(
      'proxy_pass http://app/__backsoon/health;',
    );
    expect(probeOf('server { location ~ ^/app/ { proxy_pass http://app; } }')).toContain(
      'proxy_pass http://app/__backsoon/health;',
    );
    expect(probeOf('server { location /app/ { uwsgi_pass 127.0.0.1:3031; } }')).toContain(
      'set $backsoon_probe_path /app/__backsoon/health;',
    );
  });

  it('says what the path it chose costs: nothing much, or a page for each turn over FastCGI', () => {
    const planned = (http: string, health?: string): ReturnType<typeof planProbe> => {
      const tree = loadDump(`# configuration file /e/nginx.conf:\nevents {}\nhttp {\n${http}\n}\n`);
      return planProbe(findServers(tree, '/usr/share/nginx')[0]!, httpBlock(tree), health);
    };
    expect(planned('server { location / { proxy_pass http://127.0.0.1:8000; } }')).toMatchObject({
      describe: 'HEAD /__backsoon/health to http://127.0.0.1:8000',
      note: "/__backsoon/health is a path your app does not have: its 404, from the app's own workers at little cost, is all the probe needs (--health names a health view of yours instead)",
    });
    expect(planned('server { location / { proxy_pass http://127.0.0.1:8000; } }', '/healthz')).toMatchObject({
      describe: 'HEAD /healthz to http://127.0.0.1:8000',
      note: undefined,
    });
    expect(planned('server { location ~ \\.php$ { fastcgi_pass unix:/run/php.sock; } }')).toMatchObject({
      note: "each turn to go back costs the app a page (HEAD /index.php, PHP's index script): name a cheap script with --health, one that touches nothing",
    });
    expect(planned('server { location ~ \\.php$ { fastcgi_pass unix:/run/php.sock; } }', '/ping.php')).toMatchObject({
      describe: 'HEAD /ping.php over FastCGI to unix:/run/php.sock (Host localhost)',
      note: undefined,
    });
  });

  it('keeps a variable whose value the probe’s location sees, copies a location’s `set`, refuses the visitor’s', () => {
    expect(
      probeOf('map $host $up { default 127.0.0.1:8000; }\nserver { location / { proxy_pass http://$up; } }'),
    ).toContain('proxy_pass http://$up/__backsoon/health;');
    expect(probeOf('server { location / { set $up 127.0.0.1:8000; proxy_pass http://$up; } }')).toBe(
      'location = /__backsoon/probe { set $up 127.0.0.1:8000; proxy_pass http://$up/__backsoon/health; include kit/location/backsoon-probe.conf; }',
    );
    expect(probeOf('server { location / { proxy_pass http://$http_host; } }')).toMatch(
      /^no: .*made from the visitor's request/,
    );
    expect(probeOf('server { location / { set $up $arg_x; proxy_pass http://$up; } }')).toMatch(
      /made from the visitor's request/,
    );
  });

  it('speaks uwsgi and FastCGI to such apps, and says gRPC has none', () => {
    expect(probeOf('server { server_name _ shop.example.com; location / { uwsgi_pass 127.0.0.1:3031; } }')).toBe(
      'location = /__backsoon/probe { set $backsoon_probe_path /__backsoon/health; set $backsoon_probe_host shop.example.com; uwsgi_pass 127.0.0.1:3031; include kit/location/backsoon-probe-uwsgi.conf; }',
    );
    expect(probeOf('server { location ~ \\.php$ { fastcgi_pass unix:/run/php.sock; } }')).toContain(
      'set $backsoon_probe_path /index.php; set $backsoon_probe_host localhost; fastcgi_pass unix:/run/php.sock;',
    );
    expect(probeOf('server { location / { grpc_pass grpc://127.0.0.1:9000; } }')).toBe(
      'no: grpc_pass: nginx 1.22 has no cache for gRPC, so no shared probe (its pages ask their own URL)',
    );
  });
});
