" Vim filetype detection for stackc `.stack` files.
autocmd BufRead,BufNewFile *.stack setfiletype stack
