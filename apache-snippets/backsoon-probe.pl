#!/usr/bin/perl
# ----------------------------------------------------------------------
# | backsoon for Apache: the shared probe and the turns to go back     |
# ----------------------------------------------------------------------

# Thousands of visitors waiting on backsoon's page must not take down the
# app that is coming back. The pages ask /__backsoon/probe whether the app
# answers, and once it does, ask for a turn to go back
# (/__backsoon/probe?admit=1). Apache answers both itself, from what this
# program tells it, so that the app gets:
#
#   - one health request a second at most, however many visitors ask:
#     `HEAD <path>` with a Host header and nothing of any visitor's (no
#     cookie, no Authorization, no query string);
#   - visitors back at the pace set below: turns are granted at `rate` a
#     second (after a first `burst`), and at `per-address` a second to any
#     one client address, so that a client asking in a loop cannot take
#     the turns of the others. The others are told "busy" by Apache, at no
#     cost to the app, and ask again a second or two later.
#
# Apache runs it as a RewriteMap program (one process per VirtualHost that
# defines the map, started and stopped with Apache), in the VirtualHost,
# before the Include of backsoon.conf, with the app's address and its
# cheapest path (a health check; / if it has none):
#
#   RewriteMap backsoon_probe "prg:/usr/bin/perl /etc/apache2/backsoon/backsoon-probe.pl http://127.0.0.1:8000/healthz rate=40" www-data
#
# Options, after the address (all optional):
#
#   rate=40               turns a second, a little under what the app serves
#                         in a second (its workers / a typical response time:
#                         4 workers at 80 ms = 50 a second: 40)
#   burst=80              turns granted at once when the app comes back (about
#                         two seconds of its capacity), then `rate` a second
#   per-address=2         turns a second to one client address (burst: twice it)
#   host=www.example.com  the Host header of the health request (default: the
#                         address's host and port)
#
# The address: `http://HOST:PORT/PATH`, or an app on a unix socket as
# ProxyPass spells it, `unix:/run/app.sock|http://localhost/PATH`.
#
# What it answers, one line per question (mod_rewrite's map protocol):
#
#   probe              up | down
#   admit,<address>    up (a turn) | busy | down
#
# `up` means the app answered the last health request (any status, its own
# 404 or 500 too), less than two seconds ago; anything else (refused,
# reset, no answer within 1 s to connect and 3 s to answer, no recent
# answer) is `down`. Questions are answered at once from the last answer,
# while the next health request (one a second at most) is on its way; when
# nobody has asked for over two seconds, the question that sends it waits
# for its answer, one second at most.
#
# (!) Needs Perl, which Debian's apache2 package depends on: nothing else
#     to install. The last word of the RewriteMap line is the user it runs
#     as (Debian: www-data); without it, it runs as root.
#
# (!) One process per VirtualHost, and mod_rewrite asks it one question at
#     a time: it never waits on the app (the health request runs beside
#     the questions), so a hanging app slows nothing.
#
# (!) If it stops (killed, or a mistake in its line), Apache's map answers
#     nothing and /__backsoon/probe is a plain 404: the pages notice and
#     ask their own URLs instead, as without the probe (see the error log
#     for why; `apachectl graceful` starts it again).
#
# (!) Behind a CDN or a load balancer, every visitor has the proxy's
#     address: set up mod_remoteip first, or per-address=0 (no cap).
#
# (!) Two VirtualHosts in front of one app each run their own process:
#     each sends its health request, each grants its `rate`. Give each
#     half the rate.
#
# https://httpd.apache.org/docs/2.4/rewrite/rewritemap.html#prg

use strict;
use warnings;
use Errno qw(EAGAIN EINPROGRESS EINTR);
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK);
use IO::Select;
use Socket qw(AF_UNIX SOCK_STREAM SOL_SOCKET SO_ERROR getaddrinfo pack_sockaddr_un);
use Time::HiRes qw(CLOCK_MONOTONIC clock_gettime);

# How often the app is asked, at most (seconds), and how old an answer may
# be and still say "up": past it, the app is taken for down until the next
# health request answers (a hanging app reads as down within two seconds).
use constant CHECK_EVERY => 1;
use constant UP_FOR      => 2;
# When nobody has asked for a while, what it knows is too old to answer
# with: the question that sends the next health request waits for its
# answer, this long at most (seconds). While visitors keep asking, the
# answer is never that old and nothing waits (mod_rewrite asks one question
# at a time: a wait holds up the other questions).
use constant WAIT_WHEN_OLD => 1;
# A health request's time limits (seconds): to connect, and to the status
# line of the answer.
use constant CONNECT_TIMEOUT => 1;
use constant ANSWER_TIMEOUT  => 3;
# Client addresses remembered for the per-address cap, at most.
use constant MAX_ADDRESSES => 100_000;

my %option = (rate => 40, burst => 80, 'per-address' => 2, host => undef, clock => 'real');
my $target;
for my $arg (@ARGV) {
    if ($arg =~ /^([a-z-]+)=(.*)$/s) {
        die "backsoon-probe: unknown option $1\n" unless exists $option{$1};
        $option{$1} = $2;
    }
    elsif (!defined $target) { $target = $arg }
    else                     { die "backsoon-probe: one address only, then name=value options\n" }
}
die "backsoon-probe: give the app's address, as http://127.0.0.1:8000/healthz\n" unless defined $target;
for my $name ('rate', 'burst', 'per-address') {
    die "backsoon-probe: $name must be a number\n" unless $option{$name} =~ /^\d+(?:\.\d+)?$/;
}
die "backsoon-probe: clock must be real or input\n" unless $option{clock} =~ /^(?:real|input)$/;

# Where the health request goes, resolved once: never a DNS lookup later.
my ($family, $address, $host, $path);
if ($target =~ m{^unix:(/[^|]+)\|http://([^/]+)(/.*)?$}) {
    ($family, $address, $host, $path) = (AF_UNIX, pack_sockaddr_un($1), $2, $3 // '/');
}
elsif ($target =~ m{^http://(\[[0-9A-Fa-f:.]+\]|[^/:]+)(?::(\d+))?(/.*)?$}) {
    my ($name, $port) = ($1, $2 // 80);
    $host = defined $2 ? "$name:$port" : $name;
    $path = $3 // '/';
    (my $bare = $name) =~ s/^\[(.*)\]$/$1/;
    my ($error, @found) = getaddrinfo($bare, $port, { socktype => SOCK_STREAM });
    die "backsoon-probe: cannot resolve $name: $error\n" if $error || !@found;
    ($family, $address) = ($found[0]{family}, $found[0]{addr});
}
else {
    die "backsoon-probe: $target: not http://HOST:PORT/PATH or unix:/SOCKET|http://HOST/PATH\n";
}
$host = $option{host} if defined $option{host};
die "backsoon-probe: the path and host must be printable\n" if "$host$path" =~ /[^\x21-\x7e]/;
my $request = "HEAD $path HTTP/1.1\r\nHost: $host\r\nConnection: close\r\n\r\n";

# The last health request that ended: { up, at, arrived } (when it was
# sent, when it ended), and the one under way: { sock, at, connected,
# answer, connect_by, answer_by }. With clock=input, `now` is the time of the
# question being answered (the tests' clock).
my ($last, $pending, $input_now);

# Turn buckets: the site's, and one per client address ([tokens, time]).
my @site = ($option{burst} + 0, undef);
my %by_address;

sub monotonic { clock_gettime(CLOCK_MONOTONIC) }
sub now       { $option{clock} eq 'input' ? $input_now : monotonic() }

# Refills a bucket to `$now` at `$rate` a second, up to `$burst`; takes a
# token if `$take` and there is one. Returns whether there was one.
sub bucket_has {
    my ($bucket, $now, $rate, $burst) = @_;
    $bucket->[0] = $burst if !defined $bucket->[1];
    $bucket->[0] += ($now - $bucket->[1]) * $rate if defined $bucket->[1] && $now > $bucket->[1];
    $bucket->[0] = $burst if $bucket->[0] > $burst;
    $bucket->[1] = $now;
    return $bucket->[0] >= 1;
}

sub end_check {
    my ($up) = @_;
    close $pending->{sock} if $pending->{sock};
    $last    = { up => $up, at => $pending->{at}, arrived => now() };
    $pending = undef;
}

sub start_check {
    my ($now) = @_;
    $pending = { at => $now, connect_by => monotonic() + CONNECT_TIMEOUT };
    $pending->{answer_by} = $pending->{connect_by} + ANSWER_TIMEOUT;
    socket(my $sock, $family, SOCK_STREAM, 0) or return end_check(0);
    fcntl($sock, F_SETFL, fcntl($sock, F_GETFL, 0) | O_NONBLOCK) or return end_check(0);
    $pending->{sock} = $sock;
    $pending->{answer} = '';
    if (connect($sock, $address)) { return send_request() }
    return end_check(0) unless $! == EINPROGRESS || $! == EAGAIN;
}

sub send_request {
    $pending->{connected} = 1;
    my $sent = syswrite($pending->{sock}, $request);
    end_check(0) unless defined $sent && $sent == length $request;
}

# The socket is writable (connected, or failed to) or readable (an answer).
sub on_socket {
    my $sock = $pending->{sock};
    if (!$pending->{connected}) {
        my $error = unpack('i', getsockopt($sock, SOL_SOCKET, SO_ERROR) // pack('i', 1));
        return $error ? end_check(0) : send_request();
    }
    my $read = sysread($sock, my $chunk, 512);
    return if !defined $read && ($! == EAGAIN || $! == EINTR);
    return end_check(0) unless $read;    # closed, or reset, before a status line
    $pending->{answer} .= $chunk;
    # Any status line is the app answering, whatever the status.
    return end_check(1) if $pending->{answer} =~ m{^HTTP/\d(?:\.\d)? \d{3}[ \r]};
    end_check(0) if $pending->{answer} =~ /\n/ || length $pending->{answer} > 1024;
}

sub check_timeouts {
    return unless $pending;
    my $limit = $pending->{connected} ? $pending->{answer_by} : $pending->{connect_by};
    end_check(0) if monotonic() >= $limit;
}

sub recent {
    my ($now) = @_;
    return $last && $now - $last->{arrived} <= UP_FOR;
}

sub app_up {
    my ($now) = @_;
    return recent($now) && $last->{up};
}

sub answer {
    my ($question) = @_;
    my $now = now();
    if (!$pending && (!$last || $now - $last->{at} >= CHECK_EVERY)) {
        my $old = !recent($now);
        start_check($now);
        if ($old && $pending) {
            settle(monotonic() + WAIT_WHEN_OLD);
            $now = now();
        }
    }
    return app_up($now) ? 'up' : 'down' if $question eq 'probe';
    if ($question =~ /^admit,(.+)$/) {
        return 'down' unless app_up($now);
        my $per = $option{'per-address'};
        my $own;
        if ($per > 0) {
            %by_address = () if keys %by_address >= MAX_ADDRESSES;
            $own = $by_address{$1} //= [undef, undef];
            return 'busy' unless bucket_has($own, $now, $per, 2 * $per);
        }
        return 'busy' unless bucket_has(\@site, $now, $option{rate}, $option{burst});
        $site[0]--;
        $own->[0]-- if $own;
        return 'up';
    }
    return 'NULL';
}

# Waits for the health request under way to end, until `$until` (real
# time) at most, or its own time limits.
sub settle {
    my ($until) = @_;
    while ($pending && (!defined $until || monotonic() < $until)) {
        my $select = IO::Select->new($pending->{sock});
        my $wait   = ($pending->{connected} ? $pending->{answer_by} : $pending->{connect_by}) - monotonic();
        $wait = $until - monotonic() if defined $until && $until - monotonic() < $wait;
        my @ready  = $pending->{connected} ? $select->can_read($wait > 0 ? $wait : 0) : IO::Select::select(undef, $select, undef, $wait > 0 ? $wait : 0);
        if (@ready) { on_socket() } else { check_timeouts() }
    }
}

$SIG{PIPE} = 'IGNORE';
binmode STDIN;
binmode STDOUT;
$| = 1;
my $input = '';
while (1) {
    my $readers = IO::Select->new(\*STDIN);
    my $writers = IO::Select->new();
    my $wait;
    if ($pending && $pending->{sock}) {
        ($pending->{connected} ? $readers : $writers)->add($pending->{sock});
        $wait = ($pending->{connected} ? $pending->{answer_by} : $pending->{connect_by}) - monotonic();
        $wait = 0 if $wait < 0;
    }
    my ($readable, $writable) = IO::Select::select($readers, $writers, undef, $wait);
    for my $handle (@{ $readable // [] }, @{ $writable // [] }) {
        if (fileno($handle) == fileno(STDIN)) {
            my $read = sysread(STDIN, my $chunk, 4096);
            next if !defined $read && ($! == EAGAIN || $! == EINTR);
            exit 0 unless $read;    # Apache closed the map: stopping or restarting
            $input .= $chunk;
            while ($input =~ s/^([^\n]*)\n//) {
                my $line = $1;
                if ($option{clock} eq 'input') {
                    # The tests' clock stands still while the app answers.
                    settle();
                    ($input_now, $line) = $line =~ /^(\d+(?:\.\d+)?) (.*)$/ ? ($1, $2) : (0, $line);
                }
                syswrite(STDOUT, answer($line) . "\n");
            }
        }
        elsif ($pending && $pending->{sock} && fileno($handle) == fileno($pending->{sock})) {
            on_socket();
        }
    }
    check_timeouts();
}
