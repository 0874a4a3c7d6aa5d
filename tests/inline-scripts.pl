#!/usr/bin/perl
# inline-scripts.pl DIR FILE.bats...: write each child script that a test
# passes inline (the single-quoted argument of bgsh, psh, bg_bash or
# bg_bash_dfl) to DIR/FILE_LINE.sh, so that shellcheck can read it
# (tests/shellcheck.bats).  A '"$x"' splice becomes the word SPLICE, a
# '"'"' the quote it stands for.
use strict; use warnings;
my $dir = shift;
for my $path (@ARGV) {
	open(my $fh, '<', $path) or die "$path: $!";
	local $/; my $t = <$fh>; close $fh;
	(my $base = $path) =~ s{.*/}{};
	while ($t =~ /\b(?:bgsh|psh|bg_bash|bg_bash_dfl) '/g) {
		my $i = pos($t); my $line = 1 + (substr($t, 0, $i) =~ tr/\n//);
		my $s = '';
		while ($i < length $t) {
			my $c = substr($t, $i, 1);
			if ($c ne "'") { $s .= $c; $i++; next; }
			if (substr($t, $i, 4) eq "'\\''") { $s .= "'"; $i += 4; next; }
			if (substr($t, $i + 1, 1) eq '"' &&
			    substr($t, $i) =~ /^'"((?:[^"\\]|\\.)*)"('?)/) {
				# '"'"' is a quote; '"$x"' a value: a word
				$s .= index($1, '$') < 0 ? $1 : 'SPLICE';
				$i += length $&;
				last if $2 eq '';	# the script ends there
				next;
			}
			last;
		}
		open(my $o, '>', "$dir/${base}_$line.sh") or die;
		print $o "#!/bin/bash\n# $path:$line\n$s\n";
		close $o;
		pos($t) = $i;
	}
}
