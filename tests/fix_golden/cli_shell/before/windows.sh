#!/bin/sh
runai submit crlf1 -i img -g 1
runai list jobs
runai submit nb2 -i img --interactive
