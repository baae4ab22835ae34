runai project set vision
runai training mpi submit mpi1 --workers 2 -i img
