package stack

import "reflect"

const reflectInt = reflect.Int

func reflectValue(c *Config) reflect.Value { return reflect.ValueOf(c).Elem() }
