runai config project vision
runai submit-dist mpi mpi1 --workers 2 -i img
