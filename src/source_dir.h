/*
 * source_dir.h
 *     The file:// source: a mirror directory.
 */
#ifndef PKGMETA_SOURCE_DIR_H
#define PKGMETA_SOURCE_DIR_H

#include "source.h"

/* The source for location "file://<dir>"; setting_name is for the hint. */
extern Source *source_dir_create(const char *location, const char *dir,
								 const char *setting_name);

#endif
