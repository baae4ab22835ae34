#!/bin/sh
runai training submit crlf1 -i img -g 1
runai workload list
runai workspace submit nb2 -i img
