# lookup_vs_onehot.gp, written by embgeo-cuda. Render it with `gnuplot lookup_vs_onehot.gp` in this directory; it reads the .dat files beside it.
if (!exists("outfile")) outfile = "lookup_vs_onehot.png"
set terminal pngcairo size 900,700 noenhanced
set encoding utf8
set output outfile
set datafile missing NaN
set title "lookup vs one-hot matmul on cpu"
set xlabel "vocabulary size V"
set ylabel "milliseconds"
set logscale x
set xrange [75.8577575:131825.674]
set xtics (100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000)
set logscale y
set yrange [0.0163394526:171.674532]
set ytics (0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)
set grid lt 1 lw 1 lc rgb '#e4e4e4'
set key top right opaque
plot "lookup_vs_onehot.dat" index 0 using 1:2 with linespoints lw 2 pt 7 ps 0.7 title "lookup (gather)", \
     "lookup_vs_onehot.dat" index 1 using 1:2 with linespoints lw 2 pt 7 ps 0.7 title "one-hot GEMM fp32"
