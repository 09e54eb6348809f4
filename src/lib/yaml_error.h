/* yaml_error.h: the one message for a YAML file libyaml could not parse,
 * shared by ferry.yaml (config.c) and mapping.yaml (plan/mapfile.c). */
#ifndef FERRY_YAML_ERROR_H
#define FERRY_YAML_ERROR_H

#include <yaml.h>

/* Sets FERRY_ECONFIG "<path>:<line>:<col>: <problem> <context>" (or the
 * byte offset for text that is not UTF-8) and returns it. */
int ferry_yaml_parse_error(const char *path, const yaml_parser_t *p);

#endif
