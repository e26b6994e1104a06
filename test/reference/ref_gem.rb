# Reference: RubyGems' Gem::Version (Debian ruby).  Reads "a<TAB>b" lines,
# prints -1, 0, 1 or "invalid".
require 'rubygems'

$stdin.each_line do |line|
  a, b = line.chomp("\n").split("\t", -1)
  begin
    puts(Gem::Version.new(a) <=> Gem::Version.new(b))
  rescue ArgumentError
    puts 'invalid'
  end
end
