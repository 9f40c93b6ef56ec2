"""What two or more experiments share, under public names (no experiment imports another).

A helper moves here at its second user; what only one experiment needs stays in its module.

=======================  ===================================================================
``imdb_data``            IMDB as tensors: vocabulary, GloVe rows, reviews cut and padded
                         (``imdb``, ``imdb_best``, ``imdb_numpy``, IMDB pre-training)
``imdb_recipe``          the IMDB experiments' ``ImdbConfig``, classifier, ``TrainConfig``
                         and the seeds' published rows
``imdb_pretraining``     pre-training an SST encoder on IMDB (``sst_transfer``, ``sst_tree``)
``ptb_streams``          Penn Treebank as id streams, and as a language-model task
                         (``ptb_numpy``, ``ptb_word``, ``ptb_char``)
``saved_models``         a model an earlier run saved, loaded back (``ptb_word``, ``ptb_char``)
``seeds``                ``seeds_summary``: mean ± std over seeds and the seeds' ensemble
                         (``sst``, ``sst_tree``)
``sst_data``             SST as the experiments read it: cleaned tokens, phrases, vocabulary,
                         the published figures (``sst``, ``sst_transfer``, ``sst_tree``)
``sst_models``           the SST sequence models: one ``Recipe`` per row of the table
``sst_training``         ``SSTConfig``, ``SSTTask`` and the training of one row over its seeds
                         (``sst``, ``sst_transfer``)
``sst_results``          reading the SST results records for notebook 10 and the plots
=======================  ===================================================================
"""
