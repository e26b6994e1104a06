/*
 * purl_type_list.h
 *     The package types of the export (doc/format.md section 7), the one list
 *     that C reads them from: PG_PURL_TYPE(symbol, id, purl type name,
 *     registry id), in id order.  Ids are what the tables store, so a type
 *     is only ever appended.  pkgmeta.purl_types holds the same rows
 *     (sql/pkgmeta--0.1.0.sql); test/sql/schema.sql checks that they agree.
 *
 *     No include guard: each includer defines PG_PURL_TYPE first.
 */
PG_PURL_TYPE(PURL_COMPOSER, 1, "composer", "packagist")
PG_PURL_TYPE(PURL_CONAN, 2, "conan", "conan")
PG_PURL_TYPE(PURL_GEM, 3, "gem", "rubygem")
PG_PURL_TYPE(PURL_GOLANG, 4, "golang", "go")
PG_PURL_TYPE(PURL_MAVEN, 5, "maven", "maven")
PG_PURL_TYPE(PURL_NPM, 6, "npm", "npm")
PG_PURL_TYPE(PURL_NUGET, 7, "nuget", "nuget")
PG_PURL_TYPE(PURL_PYPI, 8, "pypi", "pypi")
PG_PURL_TYPE(PURL_APK, 9, "apk", "apk")
PG_PURL_TYPE(PURL_RPM, 10, "rpm", "rpm")
PG_PURL_TYPE(PURL_DEB, 11, "deb", "deb")
PG_PURL_TYPE(PURL_CBL_MARINER, 12, "cbl-mariner", "cbl-mariner")
PG_PURL_TYPE(PURL_WOLFI, 13, "wolfi", "wolfi")
PG_PURL_TYPE(PURL_CARGO, 14, "cargo", "cargo")
PG_PURL_TYPE(PURL_SWIFT, 15, "swift", "swift")
PG_PURL_TYPE(PURL_CONDA, 16, "conda", "conda")
PG_PURL_TYPE(PURL_PUB, 17, "pub", "pub")
