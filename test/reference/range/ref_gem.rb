# Reference: RubyGems' Gem::Requirement (Debian ruby).  Reads
# "range<TAB>version" lines, the range's " || " branches each a
# ", "-separated requirement list; prints true, false or invalid.
require 'rubygems'

$stdin.each_line do |line|
  range, version = line.chomp("\n").split("\t", -1)
  begin
    v = Gem::Version.new(version)
    branches = range.split(' || ').map { |b| Gem::Requirement.new(*b.split(', ')) }
    puts(branches.any? { |req| req.satisfied_by?(v) })
  rescue ArgumentError, Gem::Requirement::BadRequirementError
    puts 'invalid'
  end
end
